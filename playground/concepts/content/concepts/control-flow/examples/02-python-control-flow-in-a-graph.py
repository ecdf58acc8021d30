import tensorflow as tf

@tf.function
def running_max(values):
    best = values[0]
    history = tf.TensorArray(tf.float32, size=tf.shape(values)[0])
    for i in tf.range(tf.shape(values)[0]):     # tensor range -> graph loop
        if values[i] > best:                     # tensor condition -> graph branch
            best = values[i]
        history = history.write(i, best)
    return history.stack()

print(running_max(tf.constant([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])).numpy())

graph = running_max.get_concrete_function(tf.TensorSpec([None], tf.float32)).graph
top_level = sorted({op.type for op in graph.get_operations()} & {"While", "StatelessWhile"})
print("top-level loop op:", top_level)
# The branch lives inside the loop body, one of the functions in the graph's library.
library = graph.as_graph_def().library.function
nested = {node.op for function in library for node in function.node_def}
print("branch op inside the loop:", sorted(nested & {"If", "StatelessIf"}))
