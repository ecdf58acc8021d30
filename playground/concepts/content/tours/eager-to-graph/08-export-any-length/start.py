import tensorflow as tf

class Doubler(tf.Module):
    @tf.function                      # TODO: declare an input_signature of any length
    def __call__(self, x):
        return x * 2.0

doubler = Doubler()
doubler(tf.constant([1.0, 2.0]))      # traced for shape (2,) only
tf.saved_model.save(doubler, "doubler")

loaded = tf.saved_model.load("doubler")
print("length 2:", loaded(tf.constant([1.0, 2.0])).numpy())
print("length 3:", loaded(tf.constant([1.0, 2.0, 3.0])).numpy())
