// The windows' events (stateChanged, scanProgress, scanRecorded) as Server-Sent Events: one stream per open
// page, each event a JSON line. A comment every 25 s keeps proxies from closing an idle stream.
import type { ServerResponse } from 'node:http';
import type { AppEvents, EventName } from '../shared/ipc.ts';

interface Client {
  response: ServerResponse;
  session: string;
}

export class EventHub {
  private readonly clients = new Set<Client>();
  private readonly keepAlive = setInterval(() => this.write(': keep-alive\n\n'), 25_000).unref();

  add(response: ServerResponse, session: string): void {
    const client = { response, session };
    this.clients.add(client);
    response.on('close', () => this.clients.delete(client));
    response.write('retry: 3000\n\n');
  }

  send<E extends EventName>(event: E, payload: AppEvents[E]): void {
    if (this.clients.size > 0) this.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`);
  }

  /** Ends the streams of a session that signed out. */
  endSession(session: string): void {
    for (const client of this.clients) if (client.session === session) client.response.end();
  }

  close(): void {
    clearInterval(this.keepAlive);
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  private write(text: string): void {
    for (const client of this.clients) client.response.write(text);
  }
}
