"""The sandbox: the zygote, the jail and the runner inside the child (standard library + TF only)."""
