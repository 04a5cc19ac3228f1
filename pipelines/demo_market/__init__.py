"""Demo market generator: a synthetic Chinese e-commerce market with planted misconduct."""
