# fs_tree: in-image tests of the file tree (src/kernel/fs: namei.c,
# mount.c, ramfs*.c, sys_open.c, sys_stat.c, sys_dir.c).
add_executable(fs_tree fs_tree.c)
vm_test(fs_tree)
add_executable(fs_tree_user fs_tree_user.c)
vm_test(fs_tree_user)
