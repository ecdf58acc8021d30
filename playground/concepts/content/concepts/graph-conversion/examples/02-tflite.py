import numpy as np
import tensorflow as tf

@tf.function(input_signature=[tf.TensorSpec(shape=[1, 4], dtype=tf.float32)])
def softmax_scores(x):
    weights = tf.constant([[1.0, -1.0], [0.5, 0.5], [-1.0, 1.0], [2.0, 0.0]])
    return tf.nn.softmax(tf.matmul(x, weights))

converter = tf.lite.TFLiteConverter.from_concrete_functions(
    [softmax_scores.get_concrete_function()], softmax_scores
)
tflite_bytes = converter.convert()
print("TFLite model size:", len(tflite_bytes), "bytes")
print("flatbuffer id:", tflite_bytes[4:8])

interpreter = tf.lite.Interpreter(model_content=tflite_bytes)
interpreter.allocate_tensors()
inp = interpreter.get_input_details()[0]
out = interpreter.get_output_details()[0]
print("input:", inp["shape"].tolist(), inp["dtype"].__name__)

x = np.array([[1.0, 2.0, 3.0, 4.0]], dtype=np.float32)
interpreter.set_tensor(inp["index"], x)
interpreter.invoke()
lite = interpreter.get_tensor(out["index"])
full = softmax_scores(x).numpy()
print("TFLite    :", np.round(lite, 4))
print("TensorFlow:", np.round(full, 4))
print("same answer:", np.allclose(lite, full, atol=1e-6))
