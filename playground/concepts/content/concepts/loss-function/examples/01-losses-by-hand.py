import keras
import numpy as np

y_true = np.array([3.0, -0.5, 2.0, 7.0])
y_pred = np.array([2.5, 0.0, 2.0, 8.0])
print("MSE by hand :", np.mean((y_true - y_pred) ** 2))
print("MSE by Keras:", float(keras.losses.MeanSquaredError()(y_true, y_pred)))

# Three examples, three classes; labels are class indices.
labels = np.array([0, 2, 1])
probs = np.array([[0.9, 0.05, 0.05],
                  [0.1, 0.1, 0.8],
                  [0.3, 0.4, 0.3]])
by_hand = -np.mean(np.log(probs[np.arange(3), labels]))
keras_ce = float(keras.losses.SparseCategoricalCrossentropy()(labels, probs))
print(f"cross-entropy by hand : {by_hand:.4f}")
print(f"cross-entropy by Keras: {keras_ce:.4f}")

# A confident mistake costs far more than an unsure one.
for p in [0.9, 0.5, 0.1, 0.01]:
    print(f"p(true class) = {p:<4} -> loss {-np.log(p):.2f}")
