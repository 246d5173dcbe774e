# fs_wait: host unit tests of the Files issue
