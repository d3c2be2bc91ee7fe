/* kernel: whether the running kernel has what a layer needs, each a
 * question with the reason when it has not. */
#ifndef BOXSTEP_KERNEL_H
#define BOXSTEP_KERNEL_H

#include <stddef.h>

/* Each returns 0 when the kernel has it, else -1 with why in ERR. */
int kernel_has_time_ns(char *err, size_t errlen);
int kernel_has_seccomp(char *err, size_t errlen);

#endif
