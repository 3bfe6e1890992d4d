"""Checks that a Digits model file works in the book's own code path: loads it the way
network2.py's `load()` does (json, then np.array of each layer's weights and biases, the cost
class looked up by name), runs network2's `feedforward` on column vectors over the MNIST test
set, and prints the accuracy, which should match `digits evaluate MODEL`.

    python3 scripts/network2_check.py MODEL [MNIST_DIR]
"""
import gzip, json, os, sys
import numpy as np

model_path = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("MNIST_DIR", "../shared/data/mnist")

with open(model_path) as f:
    model = json.load(f)
assert model["cost"] in ("CrossEntropyCost", "QuadraticCost"), model["cost"]
sizes = model["sizes"]
weights = [np.array(w) for w in model["weights"]]
biases = [np.array(b) for b in model["biases"]]
for l, (w, b) in enumerate(zip(weights, biases)):
    assert w.shape == (sizes[l + 1], sizes[l]), (l, w.shape)
    assert b.shape == (sizes[l + 1], 1), (l, b.shape)


def feedforward(a):
    for b, w in zip(biases, weights):
        a = 1.0 / (1.0 + np.exp(-(np.dot(w, a) + b)))
    return a


images = np.frombuffer(gzip.open(os.path.join(data, "t10k-images-idx3-ubyte.gz")).read(), np.uint8, offset=16)
labels = np.frombuffer(gzip.open(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).read(), np.uint8, offset=8)
inputs = images.reshape(-1, 784, 1) / 255.0
correct = sum(int(np.argmax(feedforward(x)) == y) for x, y in zip(inputs, labels))
print(f"network2-style load and feedforward: test accuracy {100 * correct / len(labels):.2f}% ({correct} of {len(labels)})")
