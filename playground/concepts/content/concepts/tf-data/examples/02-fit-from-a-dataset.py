import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
x = np.random.normal(size=(2000, 8)).astype("float32")
y = (x[:, :4].sum(axis=1) > x[:, 4:].sum(axis=1)).astype("int32")

def make(xs, ys, training):
    ds = tf.data.Dataset.from_tensor_slices((xs, ys)).cache()
    if training:
        ds = ds.shuffle(len(xs), seed=0)
    return ds.batch(64).prefetch(tf.data.AUTOTUNE)

full = tf.data.Dataset.from_tensor_slices((x, y))
train = make(x[:1600], y[:1600], training=True)
val = make(x[1600:], y[1600:], training=False)
print("batches per epoch:", train.cardinality().numpy(), "train,", val.cardinality().numpy(), "val")
print("take/skip split:", full.take(1600).cardinality().numpy(), full.skip(1600).cardinality().numpy())

model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
history = model.fit(train, validation_data=val, epochs=5, verbose=0)
print("validation accuracy above 0.9:", history.history["val_accuracy"][-1] > 0.9)
