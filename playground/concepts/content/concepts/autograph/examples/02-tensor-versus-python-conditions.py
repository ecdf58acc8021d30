import tensorflow as tf

@tf.function
def step(x, training):
    if training:              # a Python bool: decided while tracing
        x = x * 0.5
    total = tf.constant(0.0)
    while total < x:          # a tensor condition: becomes a graph loop
        total += 1.0
    return total

def op_types(concrete):
    return sorted({op.type for op in concrete.graph.get_operations()})

x = tf.constant(3.7)
train_graph = step.get_concrete_function(x, True)
eval_graph = step.get_concrete_function(x, False)

print("training=True :", step(x, True).numpy())
print("training=False:", step(x, False).numpy())
print("loop op in graph:", [t for t in op_types(train_graph) if "While" in t])
print("Mul only when training:", "Mul" in op_types(train_graph), "Mul" in op_types(eval_graph))
print("traces:", step.experimental_get_tracing_count())
