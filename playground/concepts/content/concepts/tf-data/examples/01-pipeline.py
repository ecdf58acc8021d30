import tensorflow as tf

features = tf.reshape(tf.range(20, dtype=tf.float32), [10, 2])   # 10 examples, 2 features
labels = tf.range(10) % 2

ds = tf.data.Dataset.from_tensor_slices((features, labels))
print("one element:", ds.element_spec)

ds = (ds.map(lambda x, y: (x / 10.0, y))    # scale every example
        .shuffle(buffer_size=10, seed=1)     # shuffle examples, not batches
        .batch(4))                           # 10 = 4 + 4 + 2
for i, (x, y) in enumerate(ds):
    print(f"batch {i}: x shape {x.shape}, labels {y.numpy()}")

print("drop_remainder:", [x.shape[0] for x, _ in ds.unbatch().batch(4, drop_remainder=True)])
