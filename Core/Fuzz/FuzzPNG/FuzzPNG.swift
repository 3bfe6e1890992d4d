import DigitImaging
import FuzzingDriver

/// A fuzzer over the PNG readers: the preflight, the canvas fast path with its libpng
/// fallback (what every guess runs), and libpng's RGBA decoding (what `digits predict` runs).
/// Bad input must come back as a `DrawingError`; anything else — a trap, a memory error that
/// AddressSanitizer sees, a hang — is a finding. `scripts/fuzz png` runs it.
@main struct FuzzPNG {
    static func main() {
        FuzzingDriver.run { data, size in
            let bytes = Array(UnsafeBufferPointer(start: data, count: size))
            _ = try? DigitNormaliser.normalise(png: bytes)
            _ = try? PNGCodec.decode(bytes)
            return 0
        }
    }
}
