/// The kernels that carry nearly all of the training arithmetic, on flat `Float` buffers.
///
/// Each has a plain twin in `ReferenceKernels` that the tests compare it with. Three habits
/// keep them fast:
/// - register blocking: a tile of two weight rows by four inputs is multiplied out of
///   registers, so each value loaded from memory feeds several products;
/// - the horizontal sum of a SIMD accumulator happens once, after the loop (inside it, it
///   would serialise every iteration), and eight independent accumulators keep the adders busy;
/// - multiplies and adds are written separately rather than as fused multiply-adds: without
///   FMA in the target, `addingProduct` becomes a libm call per lane, and this way every build
///   computes the same bits.
///
/// Kernels that produce one value per output neuron take the range of neurons to work on, so
/// two threads can share a layer; each neuron's arithmetic is the same whoever computes it,
/// so the result does not depend on the number of threads.
///
/// The inputs of a mini-batch are gathered into one contiguous buffer whose row count is
/// rounded up to a multiple of `sampleBlock`; the padding rows hold finite leftovers whose
/// results are never read.
enum FastKernels {
    typealias Vector = SIMD8<Float>
    static let width = Vector.scalarCount
    /// Inputs per register tile; buffers of samples are padded to a multiple of it.
    static let sampleBlock = 4

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>, _ offset: Int) -> Vector {
        UnsafeRawPointer(pointer + offset).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>, _ offset: Int) {
        UnsafeMutableRawPointer(pointer + offset).storeBytes(of: vector, as: Vector.self)
    }

    /// The 2 x 4 dot products of weight rows `w0`, `w1` with the four inputs at `x`
    /// (consecutive rows `stride` apart): `[w0·x0, w0·x1, w0·x2, w0·x3, w1·x0, …]`.
    @inline(__always)
    static func dot2x4(
        _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        stride: Int, count: Int
    ) -> SIMD8<Float> {
        let (x0, x1, x2, x3) = (x, x + stride, x + 2 * stride, x + 3 * stride)
        var a00 = Vector(), a01 = Vector(), a02 = Vector(), a03 = Vector()
        var a10 = Vector(), a11 = Vector(), a12 = Vector(), a13 = Vector()
        var k = 0
        while k + width <= count {
            let u = load(w0, k), v = load(w1, k)
            let p0 = load(x0, k), p1 = load(x1, k), p2 = load(x2, k), p3 = load(x3, k)
            a00 += u * p0; a01 += u * p1; a02 += u * p2; a03 += u * p3
            a10 += v * p0; a11 += v * p1; a12 += v * p2; a13 += v * p3
            k += width
        }
        var result = SIMD8(
            a00.sum(), a01.sum(), a02.sum(), a03.sum(), a10.sum(), a11.sum(), a12.sum(), a13.sum())
        while k < count {
            let u = w0[k], v = w1[k]
            let p = SIMD4(x0[k], x1[k], x2[k], x3[k])
            result += SIMD8(lowHalf: u * p, highHalf: v * p)
            k += 1
        }
        return result
    }

    /// aᵒᵘᵗ[s]ⱼ = σ(Wⱼ·aⁱⁿ[s] + bⱼ) for every input s of a mini-batch and every neuron j in `neurons`.
    ///
    ///     // weights: [outputs x inputs], row-major; biases: [outputs]
    ///     // input:   [paddedSamples x inputs], row-major, paddedSamples a multiple of 4
    ///     // output:  [paddedSamples x outputs], row-major
    static func forward(
        weights: UnsafePointer<Float>, biases: UnsafePointer<Float>, input: UnsafePointer<Float>,
        paddedSamples: Int, inputs: Int, outputs: Int, neurons: Range<Int>, output: UnsafeMutablePointer<Float>
    ) {
        precondition(paddedSamples % sampleBlock == 0, "\(paddedSamples) samples are not padded to a multiple of \(sampleBlock)")
        // Sample blocks outside, weight rows inside: a block of four inputs stays in L1 while
        // the weight rows stream past it from L2.
        for s in stride(from: 0, to: paddedSamples, by: sampleBlock) {
            let x = input + s * inputs
            var j = neurons.lowerBound
            while j < neurons.upperBound {
                // An odd last row is paired with itself; its twin result is simply not stored.
                let second = min(j + 1, neurons.upperBound - 1)
                let z = dot2x4(weights + j * inputs, weights + second * inputs, x, stride: inputs, count: inputs)
                for i in 0..<sampleBlock {
                    output[(s + i) * outputs + j] = sigmoid(z[i] + biases[j])
                    output[(s + i) * outputs + second] = sigmoid(z[sampleBlock + i] + biases[second])
                }
                j += 2
            }
        }
    }

    /// aᵒᵘᵗⱼ = σ(Wⱼ·aⁱⁿ + bⱼ) for one input: what a single guess needs. Each dot product
    /// adds in the same order as `dot2x4` does for one of its inputs, so a guess gets the very
    /// bits that batched evaluation gives the same input.
    ///
    ///     // weights: [outputs x inputs], row-major; biases, output: [outputs]; input: [inputs]
    static func forwardOne(
        weights: UnsafePointer<Float>, biases: UnsafePointer<Float>, input: UnsafePointer<Float>,
        inputs: Int, outputs: Int, output: UnsafeMutablePointer<Float>
    ) {
        for j in 0..<outputs {
            let row = weights + j * inputs
            var accumulator = Vector()
            var k = 0
            while k + width <= inputs {
                accumulator += load(row, k) * load(input, k)
                k += width
            }
            var z = accumulator.sum()
            while k < inputs {
                z += row[k] * input[k]
                k += 1
            }
            output[j] = sigmoid(z + biases[j])
        }
    }

    /// The error of the layer below: δⁱⁿ[s] = Wᵀ·δᵒᵘᵗ[s] ⊙ aⁱⁿ[s] ⊙ (1 − aⁱⁿ[s]).
    ///
    ///     // weights: [outputs x inputs]; deltaOut: [sampleCount x outputs]
    ///     // activations, deltaIn: [sampleCount x inputs]
    static func backpropagate(
        weights: UnsafePointer<Float>, deltaOut: UnsafePointer<Float>,
        activations: UnsafePointer<Float>, sampleCount: Int, inputs: Int, outputs: Int,
        deltaIn: UnsafeMutablePointer<Float>
    ) {
        for s in 0..<sampleCount {
            let target = deltaIn + s * inputs
            target.update(repeating: 0, count: inputs)
            // Wᵀ·δ as a sum of weight rows scaled by δⱼ: contiguous, so it vectorises.
            for j in 0..<outputs {
                let d = deltaOut[s * outputs + j]
                let row = weights + j * inputs
                for k in 0..<inputs { target[k] += d * row[k] }
            }
            let a = activations + s * inputs
            for k in 0..<inputs { target[k] *= a[k] * (1 - a[k]) }
        }
    }

    /// The gradient step on the neurons in `neurons` of one layer, fused so the gradient is
    /// never stored: Wⱼ ← decay·Wⱼ − Σₛ (step·δ[s]ⱼ)·aⁱⁿ[s] and bⱼ ← bⱼ − step·Σₛ δ[s]ⱼ.
    ///
    ///     // weights: [outputs x inputs]; biases: [outputs]; delta: [sampleCount x outputs]
    ///     // input: [sampleCount x inputs], row-major
    static func update(
        weights: UnsafeMutablePointer<Float>, biases: UnsafeMutablePointer<Float>,
        delta: UnsafePointer<Float>, input: UnsafePointer<Float>,
        sampleCount: Int, inputs: Int, outputs: Int, neurons: Range<Int>, decay: Float, step: Float
    ) {
        // Each call has its own coefficients, so two threads may update two ranges at once.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * sampleCount) { coefficients in
            let c0 = coefficients.baseAddress!
            let c1 = c0 + sampleCount
            func prepare(_ j: Int, _ c: UnsafeMutablePointer<Float>) {
                var biasGradient: Float = 0
                for s in 0..<sampleCount {
                    let d = delta[s * outputs + j]
                    biasGradient += d
                    c[s] = step * d
                }
                biases[j] -= step * biasGradient
            }
            // Rows in pairs: each input value loaded feeds both rows.
            var j = neurons.lowerBound
            while j + 1 < neurons.upperBound {
                prepare(j, c0)
                prepare(j + 1, c1)
                updateRowPair(
                    weights + j * inputs, weights + (j + 1) * inputs, c0, c1, input: input, sampleCount: sampleCount,
                    inputs: inputs, decay: decay)
                j += 2
            }
            if j < neurons.upperBound {
                prepare(j, c0)
                updateRow(weights + j * inputs, coefficients: c0, input: input, sampleCount: sampleCount, inputs: inputs, decay: decay)
            }
        }
    }

    /// `updateRow` for two rows at once, with the same arithmetic for each element.
    @inline(__always)
    static func updateRowPair(
        _ row0: UnsafeMutablePointer<Float>, _ row1: UnsafeMutablePointer<Float>, _ c0: UnsafePointer<Float>,
        _ c1: UnsafePointer<Float>, input: UnsafePointer<Float>, sampleCount: Int, inputs: Int, decay: Float
    ) {
        var k = 0
        while k + 2 * width <= inputs {
            var a0 = Vector(), a1 = Vector(), b0 = Vector(), b1 = Vector()
            var x = input + k
            for s in 0..<sampleCount {
                let p = load(x, 0), q = load(x, width)
                let u = Vector(repeating: c0[s]), v = Vector(repeating: c1[s])
                a0 += u * p
                a1 += u * q
                b0 += v * p
                b1 += v * q
                x += inputs
            }
            store(load(row0, k) * decay - a0, row0, k)
            store(load(row0, k + width) * decay - a1, row0, k + width)
            store(load(row1, k) * decay - b0, row1, k)
            store(load(row1, k + width) * decay - b1, row1, k + width)
            k += 2 * width
        }
        while k < inputs {
            var sum0: Float = 0
            var sum1: Float = 0
            for s in 0..<sampleCount {
                sum0 += c0[s] * input[s * inputs + k]
                sum1 += c1[s] * input[s * inputs + k]
            }
            row0[k] = row0[k] * decay - sum0
            row1[k] = row1[k] * decay - sum1
            k += 1
        }
    }

    /// w ← decay·w − Σₛ cₛ·xₛ for one weight row.
    @inline(__always)
    static func updateRow(
        _ row: UnsafeMutablePointer<Float>, coefficients: UnsafePointer<Float>, input: UnsafePointer<Float>,
        sampleCount: Int, inputs: Int, decay: Float
    ) {
        var k = 0
        // Two column blocks at once: two independent chains of sums.
        while k + 2 * width <= inputs {
            var sum0 = Vector(), sum1 = Vector()
            var x = input + k
            for s in 0..<sampleCount {
                let c = Vector(repeating: coefficients[s])
                sum0 += c * load(x, 0)
                sum1 += c * load(x, width)
                x += inputs
            }
            store(load(row, k) * decay - sum0, row, k)
            store(load(row, k + width) * decay - sum1, row, k + width)
            k += 2 * width
        }
        while k < inputs {
            var sum: Float = 0
            for s in 0..<sampleCount { sum += coefficients[s] * input[s * inputs + k] }
            row[k] = row[k] * decay - sum
            k += 1
        }
    }
}
