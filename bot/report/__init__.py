"""What partners asked: the weekly figures, the most cited documents, and the gaps, grouped."""
