import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(1)
augment = keras.Sequential([
    keras.layers.RandomFlip("horizontal"),
    keras.layers.RandomRotation(0.05),
    keras.layers.RandomContrast(0.2),
], name="augment")

images = np.random.uniform(0, 1, size=(64, 16, 16, 1)).astype("float32")
labels = np.random.randint(0, 2, size=(64,))

# Option 1: in the tf.data pipeline, on the CPU, training data only.
train_ds = (tf.data.Dataset.from_tensor_slices((images, labels)).batch(16)
            .map(lambda x, y: (augment(x, training=True), y),
                 num_parallel_calls=tf.data.AUTOTUNE))
batch, _ = next(iter(train_ds))
print("pipeline batch:", batch.shape, " changed:", not np.allclose(batch, images[:16]))

# Option 2: inside the model, switched off automatically by predict/evaluate.
model = keras.Sequential([
    keras.Input(shape=(16, 16, 1)),
    augment,
    keras.layers.Conv2D(4, 3, activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile("adam", "binary_crossentropy")
model.fit(images, labels, epochs=1, batch_size=16, verbose=0)
same = np.allclose(model.predict(images[:4], verbose=0), model.predict(images[:4], verbose=0))
print("predict is deterministic (augmentation off):", same)
print("layers:", [layer.name for layer in model.layers])
