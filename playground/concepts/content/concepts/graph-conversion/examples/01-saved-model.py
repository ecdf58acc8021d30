import os

import tensorflow as tf

class Thermometer(tf.Module):
    """Converts Celsius to Fahrenheit with a learnable offset."""

    def __init__(self):
        super().__init__()
        self.scale = tf.Variable(1.8)
        self.offset = tf.Variable(32.0)

    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def to_fahrenheit(self, celsius):
        return celsius * self.scale + self.offset

tf.saved_model.save(Thermometer(), "thermometer")
print("written:", sorted(os.listdir("thermometer")))

# Loading needs no Thermometer class: the graph and the variables are in the files.
restored = tf.saved_model.load("thermometer")
print("100 C =", restored.to_fahrenheit(tf.constant([100.0])).numpy(), "F")
print("-40 C =", restored.to_fahrenheit(tf.constant([-40.0])).numpy(), "F")
print(f"restored scale={restored.scale.numpy():.1f} offset={restored.offset.numpy():.1f}")
