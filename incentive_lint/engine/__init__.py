"""The engine: runs the enabled rules on the model and turns their hits into findings with identity, severity and positions."""
