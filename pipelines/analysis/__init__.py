"""Analysis: the mixed models, the Matthew check and pooling across projects."""
