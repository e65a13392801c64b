import { randomInt } from 'node:crypto';
import { pick, randomFrom } from '../decoy-secret.js';

const FIRST = ['Anna', 'Ben', 'Carla', 'David', 'Elif', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Keiko', 'Lars', 'Maya', 'Nils', 'Olga', 'Pavel'];
const LAST = ['Meyer', 'Okafor', 'Rossi', 'Nguyen', 'Schmidt', 'Dubois', 'Kowalski', 'Silva', 'Jensen', 'Haddad', 'Novak', 'Lindqvist'];
const DOMAINS = ['example.com', 'example.net', 'example.org'];

export interface SqlDumpSettings {
  database: string;
  /** Where the replica statements send the importing server. */
  host: string;
  port: number;
  /** Replica user: the token id and the importing server's @@hostname are appended at import. */
  replicaUserPrefix: string;
  /** The credentials the header comment hands out for `mysql -h ... -u ... -p...`. */
  clientUser: string;
  password: string;
  /** Dump time shown in the header and footer. */
  at: Date;
}

/** A SQL string literal: quotes doubled, backslashes doubled (both servers' default sql_mode reads them as escapes). */
function literal(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function customers(count: number, at: Date): string[] {
  const rows: string[] = [];
  for (let id = 1; id <= count; id++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const created = new Date(at.getTime() - randomInt(1, 900) * 86_400_000).toISOString().slice(0, 19).replace('T', ' ');
    rows.push(
      `(${id},${literal(`${first.toLowerCase()}.${last.toLowerCase()}${randomInt(10, 99)}@${pick(DOMAINS)}`)},${literal(`${first} ${last}`)},${literal(`$2y$10$${randomFrom('./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 53)}`)},${literal(created)})`,
    );
  }
  return rows;
}

/**
 * A mysqldump-style dump of a small shop database that, once imported with a privileged account
 * (as restores are), points the importing server at the listener as a replica. Each statement is
 * chosen to run on both servers: the replica statement is assembled at import time, as
 * CHANGE MASTER TO on MariaDB and CHANGE REPLICATION SOURCE TO on MySQL 8 (where CHANGE MASTER
 * is gone since 8.4), and run through PREPARE, which both accept for it; START REPLICA is
 * understood by MariaDB 10.5+ and MySQL 8.0.22+. Version comments cannot make that choice:
 * MariaDB runs /*!80023 ... *\/ too, its version numbers being larger.
 */
export function sqlDump(settings: SqlDumpSettings): string {
  const { database, host, port, password, at } = settings;
  const stamp = at.toISOString().slice(0, 19).replace('T', ' ');
  const mariadb = `CONCAT('CHANGE MASTER TO MASTER_HOST=${literal(host).replace(/'/g, "''")}, MASTER_PORT=${port}, MASTER_USER=', QUOTE(@repl_user), ', MASTER_PASSWORD=${literal(password).replace(/'/g, "''")}, MASTER_SSL=0, MASTER_CONNECT_RETRY=60')`;
  const mysql = `CONCAT('CHANGE REPLICATION SOURCE TO SOURCE_HOST=${literal(host).replace(/'/g, "''")}, SOURCE_PORT=${port}, SOURCE_USER=', QUOTE(@repl_user), ', SOURCE_PASSWORD=${literal(password).replace(/'/g, "''")}, SOURCE_SSL=0, SOURCE_CONNECT_RETRY=60, GET_SOURCE_PUBLIC_KEY=1')`;
  return [
    `-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)`,
    '--',
    `-- Host: ${host}    Database: ${database}`,
    '-- ------------------------------------------------------',
    '-- Server version\t8.0.36-0ubuntu0.22.04.1',
    '--',
    '-- Read-only reporting account (rotated quarterly):',
    `--   mysql -h ${host} -P ${port} -u ${settings.clientUser} -p'${password}' ${database}`,
    '',
    '/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;',
    '/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;',
    '/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;',
    '/*!50503 SET NAMES utf8mb4 */;',
    "/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;\n/*!40103 SET TIME_ZONE='+00:00' */;",
    '/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;',
    '/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;',
    "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;",
    '',
    '--',
    '-- Table structure for table `customers`',
    '--',
    '',
    'DROP TABLE IF EXISTS `customers`;',
    'CREATE TABLE `customers` (',
    '  `id` int unsigned NOT NULL AUTO_INCREMENT,',
    '  `email` varchar(255) NOT NULL,',
    '  `name` varchar(255) NOT NULL,',
    '  `password_hash` varchar(255) NOT NULL,',
    '  `created_at` datetime NOT NULL,',
    '  PRIMARY KEY (`id`),',
    '  UNIQUE KEY `customers_email` (`email`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;',
    '',
    '--',
    '-- Dumping data for table `customers`',
    '--',
    '',
    'LOCK TABLES `customers` WRITE;',
    '/*!40000 ALTER TABLE `customers` DISABLE KEYS */;',
    `INSERT INTO \`customers\` VALUES ${customers(24, at).join(',')};`,
    '/*!40000 ALTER TABLE `customers` ENABLE KEYS */;',
    'UNLOCK TABLES;',
    '',
    '--',
    '-- Replication: keep the reporting replica in step with this primary',
    '--',
    '',
    `SET @repl_user = CONCAT(${literal(settings.replicaUserPrefix)}, '@', LEFT(@@hostname, 60));`,
    `SET @repl_sql = IF(VERSION() LIKE '%MariaDB%', ${mariadb}, ${mysql});`,
    'PREPARE repl_stmt FROM @repl_sql;',
    'EXECUTE repl_stmt;',
    'DEALLOCATE PREPARE repl_stmt;',
    'START REPLICA;',
    '',
    '/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;',
    '/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;',
    '/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;',
    '/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;',
    '/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;',
    '/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;',
    '/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;',
    '',
    `-- Dump completed on ${stamp}`,
    '',
  ].join('\n');
}
