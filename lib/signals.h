#ifndef SDC_SIGNALS_H
#define SDC_SIGNALS_H
/*
 * Signals set flags; the work they ask for happens here, between
 * records or when a blocking read or write was interrupted.
 */
void	sdc_signals_poll(void);

#endif
