# fs_more: tests of the Files issue (see the file's owner comment)
