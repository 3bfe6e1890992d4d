"""Writes N of MNIST's training digits as a folder `digits import` reads (IDX files in MNIST's
names: every fifth held out, in t10k-*), standing in for N digits people stored. The cost of a
retraining depends on how many digits there are, not on who drew them.

    python3 scripts/load/people.py MNIST_DIR N FOLDER
"""
import gzip
import os
import struct
import sys


def main():
    mnist, count, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    images = gzip.open(os.path.join(mnist, "train-images-idx3-ubyte.gz")).read()[16:]
    labels = gzip.open(os.path.join(mnist, "train-labels-idx1-ubyte.gz")).read()[8:]
    count = min(count, len(labels))
    sets = {"train": [], "t10k": []}
    for index in range(count):
        sets["t10k" if (index + 1) % 5 == 0 else "train"].append(index)
    os.makedirs(folder, exist_ok=True)
    for name, indices in sets.items():
        with gzip.open(os.path.join(folder, f"{name}-images-idx3-ubyte.gz"), "wb") as out:
            out.write(struct.pack(">IIII", 2051, len(indices), 28, 28))
            out.write(b"".join(images[i * 784:(i + 1) * 784] for i in indices))
        with gzip.open(os.path.join(folder, f"{name}-labels-idx1-ubyte.gz"), "wb") as out:
            out.write(struct.pack(">II", 2049, len(indices)))
            out.write(bytes(labels[i] for i in indices))


if __name__ == "__main__":
    main()
