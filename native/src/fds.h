/* Descriptor hygiene shared by the addon and the reaper. */
#ifndef AGENTS_FDS_H
#define AGENTS_FDS_H

/* Marks every descriptor >= low close-on-exec. Returns 0, or -1 with errno set. */
int agents_cloexec_from(int low);

/* Closes every descriptor >= low. Returns 0, or -1 with errno set. */
int agents_close_from(int low);

#endif
