"""The kernel: what every app builds on and no app owns.

Publishing (the base model, the policy of who may change what), search
(normalised texts and their grams), Chinese text, pictures and the media gate,
the page cache and its invalidation, facets, pagination, downloads, the admin
base. It imports no app and no module of the site layer; it finds the content
models through the app registry (``publishing.content_models()``).
"""
