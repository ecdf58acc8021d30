import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(1)
model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(3, activation="softmax"),
])

# Plain float conversion, and one with dynamic-range quantisation (int8 weights).
plain = tf.lite.TFLiteConverter.from_keras_model(model).convert()
converter = tf.lite.TFLiteConverter.from_keras_model(model)
converter.optimizations = [tf.lite.Optimize.DEFAULT]
quantised = converter.convert()
print(f"float32 model: {len(plain)} bytes, quantised: {len(quantised)} bytes")

x = np.random.default_rng(0).normal(size=(1, 8)).astype(np.float32)
runner = tf.lite.Interpreter(model_content=quantised).get_signature_runner()
output_name = list(runner.get_output_details())[0]
lite = runner(**{list(runner.get_input_details())[0]: x})[output_name]
print("keras  :", np.round(model(x).numpy(), 3))
print("tflite :", np.round(lite, 3))
print("close enough:", np.allclose(model(x).numpy(), lite, atol=0.05))
