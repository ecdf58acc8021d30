import tensorflow as tf

t = tf.range(12)                     # 0, 1, ..., 11 as int32
print("original:", t.shape)

grid = tf.reshape(t, [3, 4])         # same 12 elements, new shape
print("reshaped:", grid.shape)
print("inferred:", tf.reshape(t, [2, -1]).shape)   # -1 means "whatever fits"

# int32 and float32 do not mix: convert explicitly.
halves = tf.cast(grid, tf.float32) / 2.0
print("cast:", halves.dtype.name, halves[1].numpy())

# Indexing and slicing work like NumPy.
print("row 1:", grid[1].numpy(), " column 2:", grid[:, 2].numpy())

# A Variable is a tensor whose value you may update in place.
v = tf.Variable([1.0, 2.0])
v.assign_add([0.5, 0.5])
print("variable:", v.numpy())
