# fs_image: host unit tests of the Files issue
