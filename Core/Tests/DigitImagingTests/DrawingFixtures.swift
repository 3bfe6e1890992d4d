import Foundation  // the C library (Glibc or Darwin) with it

@testable import DigitImaging

/// A synthetic drawing: ink painted with a round brush along line segments, on a canvas.
struct Sketch {
    let width: Int
    let height: Int
    var ink: [Float]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        ink = [Float](repeating: 0, count: width * height)
    }

    /// Paints a stroke from (x0, y0) to (x1, y1) with a brush of `radius` pixels.
    mutating func stroke(_ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, radius: Float) {
        let length = max(abs(x1 - x0), abs(y1 - y0))
        let steps = max(1, Int(length * 2))
        for step in 0...steps {
            let t = Float(step) / Float(steps)
            dab(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, radius: radius)
        }
    }

    mutating func dab(_ cx: Float, _ cy: Float, radius: Float) {
        let r = Int(radius.rounded(.up)) + 1
        for y in max(0, Int(cy) - r)...min(height - 1, Int(cy) + r) {
            for x in max(0, Int(cx) - r)...min(width - 1, Int(cx) + r) {
                let distance = ((Float(x) + 0.5 - cx) * (Float(x) + 0.5 - cx) + (Float(y) + 0.5 - cy) * (Float(y) + 0.5 - cy)).squareRoot()
                ink[y * width + x] = max(ink[y * width + x], min(1, max(0, radius + 0.5 - distance)))
            }
        }
    }

    /// A "7": a top bar and a diagonal, in a box at (left, top) of the given size.
    static func seven(canvas: Int, left: Float, top: Float, size: Float, radius: Float) -> Sketch {
        var sketch = Sketch(width: canvas, height: canvas)
        sketch.stroke(left, top, left + size * 0.7, top, radius: radius)
        sketch.stroke(left + size * 0.7, top, left + size * 0.25, top + size, radius: radius)
        return sketch
    }

    /// Grey bytes, dark ink on a white page.
    var darkOnLight: [UInt8] { ink.map { UInt8((255 * (1 - $0)).rounded()) } }
    /// Grey bytes, light ink on black.
    var lightOnDark: [UInt8] { ink.map { UInt8((255 * $0).rounded()) } }
}

/// The bounding box side and centre of mass (in pixel-index coordinates) of a 28x28 digit.
func geometry(_ digit: NormalisedDigit, threshold: Float = 0.05) -> (width: Int, height: Int, centreX: Float, centreY: Float) {
    var (minX, maxX, minY, maxY) = (28, -1, 28, -1)
    var (mass, mx, my): (Float, Float, Float) = (0, 0, 0)
    for y in 0..<28 {
        for x in 0..<28 {
            let value = digit.pixels[y * 28 + x]
            mass += value
            mx += value * Float(x)
            my += value * Float(y)
            if value > threshold {
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
            }
        }
    }
    return (maxX - minX + 1, maxY - minY + 1, mx / mass, my / mass)
}
