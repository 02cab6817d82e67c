"""Tokenisation for matching: folding (NFKC, traditional → simplified) and jieba segmentation.

Only :mod:`classifier.nlp.segment` imports jieba (or its Rust port, rjieba).
"""

from classifier.nlp.normalize import fold
from classifier.nlp.segment import Tokenizer, get_tokenizer

__all__ = ["Tokenizer", "fold", "get_tokenizer"]
