import numpy as np

rng = np.random.default_rng(0)
n = 1000
x = rng.normal(size=(n, 5)).astype("float32")
y = np.repeat([0, 1], n // 2)            # sorted by class, as raw files often are

# Naive split: the first 800 rows for training, the rest for testing.
print("naive test classes:", np.unique(y[800:]))

# Shuffle once, then cut: 70% train, 15% validation, 15% test.
order = rng.permutation(n)
x, y = x[order], y[order]
train_end, val_end = int(0.7 * n), int(0.85 * n)
splits = {"train": (x[:train_end], y[:train_end]),
          "val": (x[train_end:val_end], y[train_end:val_end]),
          "test": (x[val_end:], y[val_end:])}
for name, (xs, ys) in splits.items():
    print(f"{name:5s}: {len(xs):4d} examples, share of class 1 = {ys.mean():.2f}")

ids = np.arange(n)[order]
print("no overlap:", set(ids[:train_end]).isdisjoint(ids[val_end:]))
