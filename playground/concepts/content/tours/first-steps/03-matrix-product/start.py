import tensorflow as tf

marks = tf.constant([[60.0, 70.0, 80.0],
                     [90.0, 40.0, 50.0],
                     [85.0, 95.0, 70.0],
                     [50.0, 60.0, 99.0]])
weights = tf.constant([[0.5, 0.2],
                       [0.3, 0.2],
                       [0.2, 0.6]])

scores = ...   # TODO: one score per student and course

print("scores shape:", scores.shape)
print(scores.numpy())
print("best in course 0: student", int(tf.argmax(scores[:, 0])))
print("best in course 1: student", int(tf.argmax(scores[:, 1])))
