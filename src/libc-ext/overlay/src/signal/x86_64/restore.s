/* restore.s (uni) - replaces musl's signal return trampoline. A handler
 * returns here; the signal frame the kernel pushed starts at %rsp, and the
 * kernel's rt_sigreturn restores the interrupted context from it and does
 * not return. Referenced by sigaction (sa_restorer). */
.text
.global __restore_rt
.hidden __restore_rt
.type __restore_rt,@function
__restore_rt:
	mov %rsp,%rdi
	call sys_rt_sigreturn
	ud2
.size __restore_rt,.-__restore_rt
