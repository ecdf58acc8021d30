# Fashion-MNIST comes split into train and test; we carve out a validation set.
import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
print("train:", x_train.shape, x_train.dtype, " test:", x_test.shape)
print("pixel range:", x_train.min(), "to", x_train.max())
print("images per class in train:", np.bincount(y_train).tolist())

# Hold out the last 10,000 training images for validation; the test set stays sealed.
x_val, y_val = x_train[-10_000:], y_train[-10_000:]
x_fit, y_fit = x_train[:-10_000], y_train[:-10_000]
print("fit / val / test sizes:", len(x_fit), len(x_val), len(x_test))

# Look at the data before training on it: one shuffled batch of the training split.
names = ["T-shirt", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
batches = tf.data.Dataset.from_tensor_slices((x_fit[:2000], y_fit[:2000])).shuffle(2000, seed=0)
images, labels = next(iter(batches.batch(16)))
print("batch:", tuple(images.shape), images.dtype.name)
fig, axes = plt.subplots(2, 8, figsize=(10, 3))
for ax, image, label in zip(axes.flat, images, labels):
    ax.imshow(image, cmap="gray")
    ax.set_title(names[int(label)], fontsize=8)
    ax.axis("off")
plt.show()

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                          keras.layers.Dense(10, activation="softmax")])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
subset = slice(0, 3000)
history = model.fit(x_fit[subset] / 255.0, y_fit[subset], epochs=2, batch_size=64, verbose=0,
                    validation_data=(x_val[:1000] / 255.0, y_val[:1000]))
print("validation accuracy per epoch:", [round(a, 2) for a in history.history["val_accuracy"]])
print("validation above 0.6:", history.history["val_accuracy"][-1] > 0.6)
