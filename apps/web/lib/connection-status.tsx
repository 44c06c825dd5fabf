'use client';
import { createContext, useContext } from 'react';

/** Real-time connection state shown in the header (the WebSocket provider of issue 7 supplies it). */
export type ConnectionState = 'connected' | 'reconnecting' | 'offline';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Seconds until the next reconnect attempt while reconnecting. */
  retry_in_s?: number;
}

/**
 * null = no real-time connection exists in this build, and the header shows no indicator.
 * A WebSocket provider renders `<ConnectionStatusContext.Provider value={...}>` around the shell.
 */
export const ConnectionStatusContext = createContext<ConnectionStatus | null>(null);

export function useConnectionStatus(): ConnectionStatus | null {
  return useContext(ConnectionStatusContext);
}
