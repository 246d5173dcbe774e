# fs_more: host unit tests of the Files issue
