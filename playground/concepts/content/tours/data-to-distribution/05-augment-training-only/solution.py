import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)
augment = keras.Sequential([keras.layers.RandomFlip("horizontal"),
                            keras.layers.RandomRotation(0.1)])

def augment_batch(images, labels):
    return augment(images, training=True), labels

images = np.random.uniform(size=(64, 12, 12, 1)).astype("float32")
labels = np.random.randint(0, 2, size=(64,))
train_ds = tf.data.Dataset.from_tensor_slices((images[:48], labels[:48])).batch(16).map(augment_batch)
val_ds = tf.data.Dataset.from_tensor_slices((images[48:], labels[48:])).batch(16)

train_batch, _ = next(iter(train_ds))
val_batch, _ = next(iter(val_ds))
print("training augmented:", not np.allclose(train_batch, images[:16]))
print("validation unchanged:", np.allclose(val_batch, images[48:64]))
