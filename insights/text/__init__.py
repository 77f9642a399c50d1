"""Understanding the comments: themes, sentiment, theme impact, key drivers, rising themes.

The pure parts (no ORM) are ``language``, ``discovery``, ``sentiment``, ``impact``,
``rising`` and ``drivers``; ``services`` writes, ``selectors`` reads, ``tasks`` runs them.
Everything is learned per organisation from its own comments, offline: the lemmas come
from simplemma's bundled dictionaries and the models from scikit-learn (DESIGN.md §8).
"""
