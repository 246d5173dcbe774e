# fs_tree: host unit tests of the Files issue
