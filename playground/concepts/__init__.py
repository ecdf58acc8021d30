"""The concept catalogue, guided tours and the checks that grade exercises."""
