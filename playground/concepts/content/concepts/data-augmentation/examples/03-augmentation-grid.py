# One image, and eleven random versions of it: what the model sees in training.
import keras
import matplotlib.pyplot as plt
import numpy as np

keras.utils.set_random_seed(1)
letter = np.zeros((32, 32), "float32")     # a letter F, so flips and turns show
letter[6:26, 8:12] = 1.0
letter[6:10, 8:24] = 1.0
letter[14:18, 8:20] = 1.0
image = letter[None, :, :, None]           # a batch of one (1, 32, 32, 1)
augment = keras.Sequential([
    keras.layers.RandomFlip("horizontal"),
    keras.layers.RandomRotation(0.1),
    keras.layers.RandomZoom(0.2),
])

fig, axes = plt.subplots(3, 4, figsize=(6, 4.5))
for i, ax in enumerate(axes.flat):
    shown = image if i == 0 else augment(image, training=True)
    ax.imshow(np.asarray(shown)[0, :, :, 0], cmap="gray")
    ax.set_title("original" if i == 0 else f"augmented {i}", fontsize=7)
    ax.axis("off")
plt.show()
print("training=False leaves it alone:",
      bool(np.allclose(augment(image, training=False), image)))
