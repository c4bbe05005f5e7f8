"""The HTML reports' shared pieces: one self-contained page (page), equations as MathML (maths)."""
