/** The directory of the built web app, for a server to serve at `/`. */
export declare const webRoot: string;
