/*
 * index_watch.c: long-running commands (`stele search` reading queries,
 * its prompt, `stele kiosk`) survive their index file being truncated or
 * replaced while they hold it.
 *
 * Three lines of defence, cheapest first:
 *
 *   1. Small index files are read into memory, not mapped (cli_map_file,
 *      below STELE_MAP_THRESHOLD bytes, 16 MiB by default): whatever then
 *      happens to the file, the copy stays whole.
 *   2. Before each query the file at the path is compared with the one
 *      held (device, inode, size, modification time: cli_index_refresh).
 *      A file replaced by a rename, rewritten or cut is opened anew; when
 *      the new one cannot be opened (empty, cut short, not an index) the
 *      query is refused with one line saying so, and the next query tries
 *      again, so a good file renamed into place is picked up at once.
 *   3. A mapped file cut after that check, while it is opened anew or
 *      while the query runs, makes the next read of a lost page raise
 *      SIGBUS.  From the check to the end of the query a handler turns it
 *      into a jump back to the query's start (cli_fault_arm,
 *      sigsetjmp/siglongjmp), where the command drops the mapping,
 *      reports the query as failed and reopens for the next one.  The
 *      check itself must run under the guard too: stele_open reads the
 *      new file's header and section table, and the file can be cut
 *      between the map and that read.
 *      The runtime keeps all its state in the caller's workspace and takes
 *      no lock, so abandoning a call half way leaves nothing inconsistent.
 *
 * The way to update an index safely is still to write a new file and
 * rename it over the old (README, stele.h): then no reader ever sees a
 * half-written index, and these checks only notice that a new one is
 * there.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

void cli_map_identify(cli_map *m, const struct stat *st)
{
    m->dev = (unsigned long long)st->st_dev;
    m->ino = (unsigned long long)st->st_ino;
    m->file_size = (long long)st->st_size;
    m->mtime_sec = (long long)st->st_mtim.tv_sec;
    m->mtime_nsec = (long)st->st_mtim.tv_nsec;
}

int cli_index_changed(const char *path, const cli_map *m)
{
    struct stat st;
    if (!path) return 0; /* the bundled index never changes */
    if (!m->data) return 1;
    if (stat(path, &st) != 0) return 1;
    return (unsigned long long)st.st_dev != m->dev || (unsigned long long)st.st_ino != m->ino ||
           (long long)st.st_size != m->file_size || (long long)st.st_mtim.tv_sec != m->mtime_sec ||
           (long)st.st_mtim.tv_nsec != m->mtime_nsec;
}

int cli_index_refresh(const char *path, cli_map *m, stele_index *ix, char *why, size_t cap)
{
    char reason[256];

    if (!cli_index_changed(path, m)) return 0;
    /* The old copy or mapping goes first, whatever comes next: the file
     * it came from is not what the user now means to search.  The new
     * file is opened straight into *m, so that when it is cut while
     * stele_open reads it, the fault's handler (cli_index_fault) finds
     * the new mapping there and drops it, instead of leaking it. */
    cli_unmap(m);
    memset(ix, 0, sizeof *ix);
    if (cli_open_index_quiet(path, m, ix, reason, sizeof reason) != 0) {
        memset(ix, 0, sizeof *ix);
        snprintf(why, cap, "%s changed on disk and cannot be searched now: %s", path, reason);
        return -1;
    }
    return 1;
}

/* The jump of the query running now, NULL between queries. */
static sigjmp_buf *volatile fault_jump;

static void on_fault(int sig)
{
    sigjmp_buf *jump = fault_jump;
    if (jump) {
        fault_jump = NULL; /* the jumped-to code restores what was before */
        siglongjmp(*jump, 1);
    }
    /* a fault outside a query: die of it as if nobody had caught it */
    signal(sig, SIG_DFL);
    raise(sig);
}

sigjmp_buf *cli_fault_arm(sigjmp_buf *jump)
{
    static int installed;
    sigjmp_buf *previous = fault_jump;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fault;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGBUS, &sa, NULL);
        installed = 1;
    }
    fault_jump = jump;
    return previous;
}

void cli_fault_restore(sigjmp_buf *previous)
{
    fault_jump = previous;
}

void cli_index_fault(const char *path, cli_map *m, stele_index *ix)
{
    cli_unmap(m);
    memset(ix, 0, sizeof *ix);
    fflush(stdout);
    cli_error("%s changed on disk while it was being read; nothing more is read from it",
              cli_index_name(path));
}
