#ifndef SDC_BANNED_H
#define SDC_BANNED_H
/*
 * libc calls with no bound on what they write: use snprintf, memcpy
 * with a known length, or the sdc_buf family instead.
 */
#define SDC_BANNED(f) sorry_##f##_is_banned_in_sdc_tools

#undef strcpy
#define strcpy(x, y) SDC_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SDC_BANNED(strcat)
#undef sprintf
#define sprintf(...) SDC_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SDC_BANNED(vsprintf)
#undef gets
#define gets(x) SDC_BANNED(gets)
#undef strtok
#define strtok(x, y) SDC_BANNED(strtok)

#endif
