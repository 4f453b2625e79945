# SPDX-License-Identifier: GPL-2.0
# Sphinx configuration for goheap's Documentation/ ("make htmldocs").
project = "goheap"
copyright = "goheap developers"
author = "goheap developers"
root_doc = "index"
exclude_patterns = ["_build"]
html_theme = "alabaster"
highlight_language = "none"
