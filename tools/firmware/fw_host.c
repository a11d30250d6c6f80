/*
 * fw_host.c: the firmware example's search on the host, writing to
 * stdout: the output the Cortex-M run (fw_m4.c) must match.
 */
#include <stdio.h>

#include "fw_search.h"

void fw_out(const char *s, size_t n)
{
    fwrite(s, 1, n, stdout);
}

int main(void)
{
    return fw_search();
}
