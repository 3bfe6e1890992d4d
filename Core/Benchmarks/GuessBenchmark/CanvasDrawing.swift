import DigitImaging

/// A 280x280 drawing of a 7 as a browser's canvas exports it: 8-bit RGBA, dark round strokes
/// about 18 pixels wide with anti-aliased edges on white (the same picture as the load
/// benchmark's scripts/load/drawing.py).
enum CanvasDrawing {
    static func seven(side: Int = 280) -> [UInt8] {
        var grey = [UInt8](repeating: 255, count: side * side)
        func dab(_ cx: Int, _ cy: Int, radius: Double = 9) {
            for y in max(0, cy - 10)..<min(side, cy + 11) {
                for x in max(0, cx - 10)..<min(side, cx + 11) {
                    let distance = Double((x - cx) * (x - cx) + (y - cy) * (y - cy)).squareRoot()
                    let coverage = min(1, max(0, radius + 0.5 - distance))
                    grey[y * side + x] = min(grey[y * side + x], UInt8((255 * (1 - coverage)).rounded()))
                }
            }
        }
        for t in 0...100 {
            dab(60 + t * 16 / 10, 50)
            dab(220 - t * 11 / 10, 50 + t * 19 / 10)
        }
        var rgba = [UInt8](repeating: 255, count: side * side * 4)
        for i in 0..<grey.count {
            rgba[4 * i] = grey[i]
            rgba[4 * i + 1] = grey[i]
            rgba[4 * i + 2] = grey[i]
        }
        return PNGCodec.encode(rgba, width: side, height: side, layout: .rgba)
    }
}
