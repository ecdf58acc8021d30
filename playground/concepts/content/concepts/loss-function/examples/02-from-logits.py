# The same model trained twice. Its last layer has no activation, so it outputs logits
# (raw scores). Only one of the two losses is told so.
import keras
import numpy as np

def train(from_logits):
    keras.utils.set_random_seed(3)
    x = np.random.normal(size=(1500, 2)).astype("float32")
    y = (x[:, 0] > x[:, 1]).astype("int32") + 2 * (x[:, 0] + x[:, 1] > 1).astype("int32")
    model = keras.Sequential([
        keras.Input(shape=(2,)),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(4),                            # logits, no softmax
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits),
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=64, verbose=0)
    return history.history["accuracy"][-1]

right = train(from_logits=True)    # the loss applies softmax itself: correct
wrong = train(from_logits=False)   # logits treated as probabilities: a silent bug
print(f"from_logits=True  (matches the model): accuracy {right:.3f}")
print(f"from_logits=False (mismatch)         : accuracy {wrong:.3f}")
print("the matching loss trains better:", right > wrong + 0.05)
