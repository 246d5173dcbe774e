# fs_image: tests of the Files issue (see the file's owner comment)
