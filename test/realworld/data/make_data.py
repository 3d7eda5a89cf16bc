"""Writes small synthetic stand-ins for the data sets the corpus scripts download, in the exact
on-disk format each script (or the library it calls) reads, so the scripts run unchanged and
offline. Content is random but seeded: these runs measure speed, not accuracy.

  mnist ROOT TRAIN TEST          ROOT/MNIST/raw/*-ubyte, uncompressed idx files (torchvision's
                                 MNIST skips its download when they exist)
  wikitext DIR TRAIN VALID TEST  DIR/{train,valid,test}.txt, space-separated words, one line per
                                 sentence (word_language_model's data.Corpus)
  sine FILE N L                  a float64 N x L numpy array of shifted sine waves saved with
                                 torch.save (time_sequence_prediction's generate_sine_wave.py,
                                 whose N=100, L=1000 are constants, made smaller)
  images DIR COUNT SIZE          DIR/0/*.png, RGB SIZE x SIZE (torchvision's ImageFolder, dcgan's
                                 --dataset folder)
  text FILE CHARS                plain text (nanoGPT's data/shakespeare_char/prepare.py encodes it)
  abalone FILE ROWS              the abalone CSV: header, sex in M/F/I, seven measurements, rings
"""
import os
import random
import struct
import sys

import numpy as np

SEED = 20240607


def mnist(root, train, test):
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for prefix, count in (("train", int(train)), ("t10k", int(test))):
        labels = rng.integers(0, 10, size=count, dtype=np.uint8)
        # A bright square whose position depends on the label over noise: learnable, like digits.
        images = rng.integers(0, 64, size=(count, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):
            row, col = 2 + (label // 5) * 12, 2 + (label % 5) * 5
            images[i, row:row + 10, col:col + 5] = 255
        with open(os.path.join(raw, prefix + "-images-idx3-ubyte"), "wb") as f:
            f.write(struct.pack(">IIII", 2051, count, 28, 28))
            f.write(images.tobytes())
        with open(os.path.join(raw, prefix + "-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">II", 2049, count))
            f.write(labels.tobytes())


def wikitext(directory, train, valid, test):
    os.makedirs(directory, exist_ok=True)
    rnd = random.Random(SEED)
    vocabulary = ["w%d" % i for i in range(500)]
    for name, words in (("train", int(train)), ("valid", int(valid)), ("test", int(test))):
        lines = []
        while words > 0:
            length = min(words, rnd.randint(5, 25))
            lines.append(" ".join(rnd.choice(vocabulary) for _ in range(length)))
            words -= length + 1  # data.Corpus adds an <eos> token per line
        with open(os.path.join(directory, name + ".txt"), "w", encoding="utf8") as f:
            f.write("\n".join(" " + line + " " for line in lines) + "\n")


def sine(path, n, length):
    import torch

    n, length, period = int(n), int(length), 20
    rng = np.random.RandomState(2)
    x = np.empty((n, length), "int64")
    x[:] = np.array(range(length)) + rng.randint(-4 * period, 4 * period, n).reshape(n, 1)
    torch.save(np.sin(x / 1.0 / period).astype("float64"), open(path, "wb"))


def images(directory, count, size):
    from PIL import Image

    folder = os.path.join(directory, "0")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for i in range(int(count)):
        pixels = rng.integers(0, 256, size=(int(size), int(size), 3), dtype=np.uint8)
        Image.fromarray(pixels, "RGB").save(os.path.join(folder, "%04d.png" % i))


def text(path, chars):
    rnd = random.Random(SEED)
    alphabet = "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.,;:!?'\n"
    with open(path, "w") as f:
        f.write("".join(rnd.choice(alphabet) for _ in range(int(chars))))


def abalone(path, rows):
    rnd = random.Random(SEED)
    with open(path, "w") as f:
        f.write("sex,length,diameter,height,weight.w,weight.s,weight.v,weight.sh,rings\n")
        for _ in range(int(rows)):
            length = rnd.uniform(0.1, 0.8)
            values = [length, length * 0.8, length * 0.25] + [length ** 3 * rnd.uniform(1, 3) for _ in range(4)]
            rings = max(1, int(length * 20 + rnd.gauss(0, 2)))
            f.write("%s,%s,%d\n" % (rnd.choice("MFI"), ",".join("%.4f" % v for v in values), rings))


if __name__ == "__main__":
    {"mnist": mnist, "wikitext": wikitext, "sine": sine, "images": images, "text": text, "abalone": abalone}[sys.argv[1]](*sys.argv[2:])
