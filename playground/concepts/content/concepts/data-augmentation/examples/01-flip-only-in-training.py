import keras
import numpy as np

keras.utils.set_random_seed(0)
# A tiny 3x4 "image" with one channel; the left half is dark, the right half bright.
image = np.array([[0, 0, 9, 9],
                  [0, 0, 9, 9],
                  [0, 0, 9, 9]], dtype="float32")[None, :, :, None]   # shape (1, 3, 4, 1)

flip = keras.layers.RandomFlip("horizontal", seed=0)

print("inference (training=False):", flip(image, training=False)[0, 0, :, 0].numpy())
first_rows = {tuple(flip(image, training=True)[0, 0, :, 0].numpy()) for _ in range(20)}
print("training=True, distinct first rows seen:", sorted(first_rows))
print("both orientations appear:", len(first_rows) == 2)
