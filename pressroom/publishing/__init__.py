"""``pressroom publish``: verify, check and build the verified commit's tree (``publish``,
``published_tree``); the live site as immutable releases behind one symlink (``releases``,
``release_folders``, ``cloning``, ``output_lock``).
"""
